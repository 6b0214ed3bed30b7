"""The BioImage Model Zoo model card template (the project's spec), as data.

Headings, their order and levels, field labels and guidance are copied from the
template; `tests/test_template.py` compares this description with the template
file in `shared/spec/model-card-template.md`, so a change upstream fails loudly.
Requirement levels are bmzcard's reading of what zoo reviewers expect.
"""

from __future__ import annotations

from bmzcard.template.model import Field, Requirement, Section, SectionKind, Template

REQ, REC, OPT = Requirement.REQUIRED, Requirement.RECOMMENDED, Requirement.OPTIONAL
H, F, P, T, S = (
    SectionKind.HEADING,
    SectionKind.FIELDS,
    SectionKind.PROSE,
    SectionKind.TABLE,
    SectionKind.STATIC,
)

_SECTIONS = (
    Section(
        "title",
        "[Model Name]",
        1,
        P,
        guidance=(
            "*Brief 1-2 sentence summary of what the model does*",
            "",
            '*Example: "3D U-Net model for segmentation of mitochondria in electron microscopy '
            'images of HeLa cells, trained on high-resolution volumetric EM data."*',
        ),
        requirement=REQ,
    ),
    Section("table_of_contents", "Table of Contents", 1, S),  # body derived from the sections
    Section("model_details", "Model Details", 1, H),
    Section(
        "model_description",
        "Model Description",
        2,
        F,
        guidance=(
            "*Provide basic details about the model including architecture, version, creators, "
            "and important disclaimers specific to bioimage analysis.*",
        ),
        fields=(
            Field("developed_by", "Developed by", "Name(s), Institution(s)", REQ),
            Field("funded_by", "Funded by", "Funding agency, grant number if applicable", OPT),
            Field("shared_by", "Shared by", "Person/organization making the model available", REC),
            Field("model_type", "Model type", "Architecture type, e.g., 3D U-Net, ResNet, transformer", REQ),
            Field("modality", "Modality", "Input modality, e.g., fluorescence microscopy, electron microscopy", REQ),
            Field("license", "License", "License name and link", REQ),
            Field("finetuned_from", "Finetuned from model", "Base model if applicable", OPT),
        ),
        requirement=REQ,
    ),
    Section(
        "model_sources",
        "Model Sources",
        2,
        F,
        fields=(
            Field("repository", "Repository", "GitHub repository URL", REC),
            Field("paper", "Paper", "Associated publication DOI/URL", REC),
            Field("demo", "Demo", "Online demo or notebook URL", OPT),
        ),
    ),
    Section("uses", "Uses", 1, H),
    Section(
        "direct_use",
        "Direct Use",
        2,
        P,
        guidance=(
            "*Explain how the model can be used without fine-tuning for bioimage analysis tasks. "
            "Provide examples images and/or videos for the data used to train the model, provide "
            "guidance on what type of data is required for the model to work.*",
        ),
        requirement=REQ,
    ),
    Section(
        "downstream_use",
        "Downstream Use",
        2,
        P,
        guidance=("*Explain how this model can be fine-tuned or integrated into larger bioimage analysis pipelines.*",),
        requirement=OPT,
    ),
    Section(
        "out_of_scope_use",
        "Out-of-Scope Use",
        2,
        P,
        guidance=(
            "*List how the model may be misused in bioimage analysis contexts and what users "
            "should not do with the model.*",
            "",
            "*Examples:*",
            "- *Not suitable for diagnostic purposes*",
            "- *Not validated for different imaging modalities than training data*",
            "- *Should not be used without proper validation on user's specific datasets*",
        ),
    ),
    Section(
        "task_details",
        "Task Details",
        1,
        F,
        guidance=("*Bioimage-specific task information*",),
        fields=(
            Field("task_type", "Task type", "segmentation, classification, detection, denoising, etc.", REQ),
            Field("input_modality", "Input modality", "2D/3D fluorescence, brightfield, EM, etc.", REQ),
            Field("target_structures", "Target structures", "nuclei, cells, organelles, etc.", REC),
            Field("imaging_technique", "Imaging technique", "confocal, widefield, super-resolution, etc.", REC),
            Field("spatial_resolution", "Spatial resolution", "pixel/voxel size requirements", REC),
            Field("temporal_resolution", "Temporal resolution", "if applicable", OPT),
        ),
        requirement=REQ,
    ),
    Section(
        "bias_risks_limitations",
        "Bias, Risks, and Limitations",
        1,
        H,
        guidance=(
            "*Identify foreseeable harms, misunderstandings, and technical limitations specific to "
            "bioimage analysis.*",
        ),
    ),
    Section(
        "known_biases",
        "Known Biases",
        2,
        P,
        guidance=(
            "*Describe biases in training data or model behavior:*",
            "- *Species-specific training data limitations*",
            "- *Imaging protocol dependencies*",
            "- *Cell type or experimental condition biases*",
        ),
    ),
    Section(
        "risks",
        "Risks",
        2,
        P,
        guidance=(
            "*Potential risks in bioimage analysis applications:*",
            "- *Misinterpretation of results*",
            "- *Over-reliance on automated analysis*",
            "- *Generalization to unseen experimental conditions*",
        ),
    ),
    Section(
        "limitations",
        "Limitations",
        2,
        P,
        guidance=(
            "*Technical limitations and failure modes:*",
            "- *Resolution requirements*",
            "- *Imaging condition dependencies*",
            "- *Performance degradation scenarios*",
        ),
    ),
    Section(
        "recommendations",
        "Recommendations",
        2,
        P,
        guidance=(
            "*Mitigation strategies and best practices:*",
            "- *Always validate on your specific dataset*",
            "- *Use appropriate controls and manual verification*",
            "- *Consider domain adaptation for different experimental setups*",
        ),
    ),
    Section("training_details", "Training Details", 1, H),
    Section(
        "training_data",
        "Training Data",
        2,
        F,
        guidance=("*Describe the training dataset with bioimage-specific details:*",),
        fields=(
            Field("source", "Source", "Dataset name, publication, or source", REQ),
            Field("size", "Size", "Number of images, total volume, number of annotations", REC),
            Field("modality", "Modality", "Imaging technique and parameters", REC),
            Field("biological_systems", "Biological systems", "Cell types, organisms, experimental conditions", REC),
            Field("ground_truth", "Ground truth", "Annotation method and quality", REC),
            Field("data_splits", "Data splits", "Training/validation/test ratios", OPT),
        ),
        requirement=REQ,
    ),
    Section("training_procedure", "Training Procedure", 2, H),
    Section(
        "preprocessing",
        "Preprocessing",
        3,
        P,
        guidance=(
            "*Detail image preprocessing steps:*",
            "- *Normalization methods*",
            "- *Augmentation strategies*",
            "- *Resizing/resampling procedures*",
            "- *Artifact handling*",
        ),
    ),
    Section(
        "training_hyperparameters",
        "Training Hyperparameters",
        3,
        F,
        fields=(
            Field("architecture", "Architecture", "Detailed architecture description", REC),
            Field("framework", "Framework", "PyTorch, TensorFlow, etc.", REQ),
            Field("epochs", "Epochs", "Number of training epochs", REC),
            Field("batch_size", "Batch size", "Training batch size", REC),
            Field("learning_rate", "Learning rate", "Initial LR and schedule", REC),
            Field("loss_function", "Loss function", "Loss function and rationale", REC),
            Field("optimizer", "Optimizer", "Optimizer and parameters", REC),
            Field("regularization", "Regularization", "Dropout, weight decay, etc.", OPT),
        ),
    ),
    Section(
        "speeds_sizes_times",
        "Speeds, Sizes, Times",
        3,
        F,
        fields=(
            Field("training_time", "Training time", "Total training duration", OPT),
            Field("model_size", "Model size", "Number of parameters, file size", REC),
            Field("inference_time", "Inference time", "Time per image/volume", REC),
            Field("memory_requirements", "Memory requirements", "GPU memory needed", REC),
        ),
    ),
    Section("evaluation", "Evaluation", 1, H),
    Section("testing_data_factors_metrics", "Testing Data, Factors & Metrics", 2, H),
    Section(
        "testing_data",
        "Testing Data",
        3,
        F,
        guidance=("*Describe test dataset or link to Dataset Card:*",),
        fields=(
            Field("source", "Source", "Test dataset details", REC),
            Field("size", "Size", "Number of test samples", REC),
            Field("biological_diversity", "Biological diversity", "Range of conditions tested", OPT),
        ),
    ),
    Section(
        "factors",
        "Factors",
        3,
        P,
        guidance=(
            "*Characteristics that influence model behavior:*",
            "- *Imaging conditions (SNR, resolution, etc.)*",
            "- *Biological factors (cell type, experimental conditions)*",
            "- *Technical factors (microscope type, acquisition parameters)*",
        ),
    ),
    Section(
        "metrics",
        "Metrics",
        3,
        P,
        guidance=(
            "*Evaluation metrics appropriate for bioimage analysis:*",
            "- *Segmentation: IoU, Dice coefficient, Hausdorff distance*",
            "- *Classification: Accuracy, precision, recall, F1-score*",
            "- *Detection: mAP, precision-recall curves*",
            "- *Denoising: PSNR, SSIM, perceptual metrics*",
        ),
    ),
    Section("results", "Results", 2, H),
    Section(
        "quantitative_results",
        "Quantitative Results",
        3,
        T,
        guidance=(
            "*Present results disaggregated by relevant factors:*",
            "",
            "| Metric | Overall | Condition A | Condition B | Condition C |",
            "|--------|---------|-------------|-------------|-------------|",
            "| IoU    | 0.XX ± 0.XX | 0.XX ± 0.XX | 0.XX ± 0.XX | 0.XX ± 0.XX |",
            "| Dice   | 0.XX ± 0.XX | 0.XX ± 0.XX | 0.XX ± 0.XX | 0.XX ± 0.XX |",
        ),
        requirement=REQ,
    ),
    Section(
        "summary",
        "Summary",
        3,
        P,
        guidance=(
            "*Interpretation of results for general audience:*",
            "- *Model performance summary*",
            "- *Comparison to existing methods*",
            "- *Limitations and areas for improvement*",
        ),
    ),
    Section(
        "validation_on_external_data",
        "Validation on External Data",
        3,
        P,
        guidance=("*Results on independent datasets if available*",),
        requirement=OPT,
    ),
    Section(
        "societal_impact_assessment",
        "Societal Impact Assessment",
        2,
        P,
        guidance=(
            "*Assessment of broader impacts for bioimage analysis:*",
            "- *Potential for misuse in research*",
            "- *Impact on research reproducibility*",
            "- *Accessibility and democratization of analysis tools*",
            "- *Educational and training implications*",
        ),
        requirement=OPT,
    ),
    Section(
        "environmental_impact",
        "Environmental Impact",
        1,
        F,
        guidance=("*Environmental considerations for model training and deployment:*",),
        fields=(
            Field("hardware_type", "Hardware Type", "GPU/CPU specifications", REC),
            Field("hours_used", "Hours used", "Total compute hours", REC),
            Field("cloud_provider", "Cloud Provider", "If applicable", OPT),
            Field("compute_region", "Compute Region", "Geographic location", REC),
            Field("carbon_emitted", "Carbon Emitted", "CO2 equivalent if calculated", REC),
        ),
        static_body=(
            "*Carbon emissions can be estimated using the "
            "[Machine Learning Impact calculator](https://mlco2.github.io/impact#compute)*",
        ),
    ),
    Section("technical_specifications", "Technical Specifications", 1, H),
    Section(
        "model_architecture_and_objective",
        "Model Architecture and Objective",
        2,
        F,
        guidance=("*Detailed technical specifications:*",),
        fields=(
            Field("architecture", "Architecture", "Detailed network architecture", REC),
            Field("input_specifications", "Input specifications", "Tensor shapes, data types, preprocessing", REQ),
            Field("output_specifications", "Output specifications", "Output format and interpretation", REQ),
            Field("objective_function", "Objective function", "Loss function and optimization details", OPT),
        ),
        requirement=REQ,
    ),
    Section("compute_infrastructure", "Compute Infrastructure", 2, H),
    Section(
        "hardware_requirements",
        "Hardware Requirements",
        3,
        F,
        guidance=("*Minimum and recommended hardware:*",),
        fields=(
            Field("training", "Training", "GPU memory, compute requirements", OPT),
            Field("inference", "Inference", "Minimum hardware for deployment", REC),
            Field("storage", "Storage", "Model size and data requirements", REC),
        ),
    ),
    Section(
        "software_dependencies",
        "Software Dependencies",
        3,
        F,
        guidance=("*Software requirements:*",),
        fields=(
            Field("framework", "Framework", "Deep learning framework version", REQ),
            Field("libraries", "Libraries", "Key dependencies and versions", REC),
            Field("bioimageio_compatibility", "BioImage.IO compatibility", "Supported consumer software", REC),
        ),
    ),
    Section(
        "how_to_get_started",
        "How to Get Started with the Model",
        1,
        P,
        guidance=("*Provide step-by-step instructions for using the model:*",),
        requirement=REQ,
    ),
    Section(
        "glossary",
        "Glossary",
        2,
        S,
        rule_before=True,
        static_body=(
            "*Define domain-specific terms:*",
            "",
            "- **IoU (Intersection over Union):** *Metric for evaluating segmentation quality*",
            "- **Dice coefficient:** *Similarity metric for binary segmentation*",
            "- **Voxel:** *3D pixel representing volume element*",
            "- **Z-projection:** *2D representation of 3D data*",
        ),
    ),
)

# The top-level sections the template's table of contents links to.
TOC_SECTIONS = (
    "model_details",
    "uses",
    "task_details",
    "bias_risks_limitations",
    "training_details",
    "evaluation",
    "environmental_impact",
    "technical_specifications",
    "how_to_get_started",
)

TEMPLATE = Template(
    name="BioImage Model Zoo model card",
    sections=_SECTIONS,
    footer=(
        "---",
        "",
        "*This model card was created using the BioImage Model Zoo template, incorporating best "
        "practices from the Hugging Face Model Card Template. For more information on contributing "
        "models, visit [bioimage.io](https://bioimage.io).*",
        "",
        "---",
        "",
        "**References:**",
        "- [Hugging Face Model Card Template](https://huggingface.co/docs/hub/en/model-card-annotated)",
        "- [BioImage Model Zoo Documentation](https://bioimage.io/docs/)",
        "- [Model Cards for Model Reporting](https://arxiv.org/abs/1810.03993)",
    ),
)
