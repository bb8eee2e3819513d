"""The data-management tools of issue 13: 50 OpenAI operations, served
with ``--prefix openai_data --names snake``, and the exact tool names
expected for them."""

EXPECTED = """
openai_data_add_upload_part openai_data_cancel_batch openai_data_cancel_eval_run openai_data_cancel_fine_tuning_job
openai_data_cancel_upload openai_data_cancel_vector_store_file_batch openai_data_complete_upload openai_data_create_batch
openai_data_create_eval openai_data_create_eval_run openai_data_create_file openai_data_create_fine_tuning_checkpoint_permission
openai_data_create_fine_tuning_job openai_data_create_upload openai_data_create_vector_store openai_data_create_vector_store_file
openai_data_create_vector_store_file_batch openai_data_delete_eval openai_data_delete_eval_run openai_data_delete_file
openai_data_delete_fine_tuning_checkpoint_permission openai_data_delete_vector_store openai_data_delete_vector_store_file
openai_data_download_file openai_data_get_eval openai_data_get_eval_run openai_data_get_eval_run_output_item
openai_data_get_eval_run_output_items openai_data_get_eval_runs openai_data_get_vector_store openai_data_get_vector_store_file
openai_data_get_vector_store_file_batch openai_data_list_batches openai_data_list_evals openai_data_list_files
openai_data_list_files_in_vector_store_batch openai_data_list_fine_tuning_checkpoint_permissions openai_data_list_fine_tuning_events
openai_data_list_fine_tuning_job_checkpoints openai_data_list_paginated_fine_tuning_jobs openai_data_list_vector_store_files
openai_data_list_vector_stores openai_data_modify_vector_store openai_data_retrieve_batch openai_data_retrieve_file
openai_data_retrieve_fine_tuning_job openai_data_retrieve_vector_store_file_content openai_data_search_vector_store
openai_data_update_eval openai_data_update_vector_store_file_attributes
""".split()
DATA_OPERATIONS = [
    "addUploadPart", "cancelBatch", "cancelEvalRun", "cancelFineTuningJob", "cancelUpload",
    "cancelVectorStoreFileBatch", "completeUpload", "createBatch", "createEval", "createEvalRun", "createFile",
    "createFineTuningCheckpointPermission", "createFineTuningJob", "createUpload", "createVectorStore",
    "createVectorStoreFile", "createVectorStoreFileBatch", "deleteEval", "deleteEvalRun", "deleteFile",
    "deleteFineTuningCheckpointPermission", "deleteVectorStore", "deleteVectorStoreFile", "downloadFile",
    "getEval", "getEvalRun", "getEvalRunOutputItem", "getEvalRunOutputItems", "getEvalRuns", "getVectorStore",
    "getVectorStoreFile", "getVectorStoreFileBatch", "listBatches", "listEvals", "listFiles",
    "listFilesInVectorStoreBatch", "listFineTuningCheckpointPermissions", "listFineTuningEvents",
    "listFineTuningJobCheckpoints", "listPaginatedFineTuningJobs", "listVectorStoreFiles", "listVectorStores",
    "modifyVectorStore", "retrieveBatch", "retrieveFile", "retrieveFineTuningJob",
    "retrieveVectorStoreFileContent", "searchVectorStore", "updateEval", "updateVectorStoreFileAttributes",
]
